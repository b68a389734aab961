"""BiSeNet face parsing (19 classes) in plain torch, in the key layout of `79999_iter.pth`.

The layout is that of the face-parsing network the paper used (zllrunning/face-parsing.PyTorch):
a ResNet-18 context path (torchvision's layer names), attention refinement, feature fusion
and three output heads. Nothing is downloaded: weights come only from a file the user gives.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models import resnet18


class ConvBNReLU(nn.Module):
    def __init__(self, cin: int, cout: int, ks: int = 3, stride: int = 1, padding: int = 1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, ks, stride, padding, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Output(nn.Module):
    def __init__(self, cin: int, mid: int, n_classes: int):
        super().__init__()
        self.conv = ConvBNReLU(cin, mid)
        self.conv_out = nn.Conv2d(mid, n_classes, 1, bias=False)

    def forward(self, x):
        return self.conv_out(self.conv(x))


class AttentionRefinement(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.conv = ConvBNReLU(cin, cout)
        self.conv_atten = nn.Conv2d(cout, cout, 1, bias=False)
        self.bn_atten = nn.BatchNorm2d(cout)

    def forward(self, x):
        feat = self.conv(x)
        att = torch.sigmoid(self.bn_atten(self.conv_atten(F.adaptive_avg_pool2d(feat, 1))))
        return feat * att


class Backbone(nn.Module):
    """torchvision's resnet18 without pooling head; returns strides 8, 16, 32."""

    def __init__(self):
        super().__init__()
        net = resnet18(weights=None)
        for name in ("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"):
            setattr(self, name, getattr(net, name))

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        f8 = self.layer2(self.layer1(x))
        f16 = self.layer3(f8)
        return f8, f16, self.layer4(f16)


class ContextPath(nn.Module):
    def __init__(self):
        super().__init__()
        self.resnet = Backbone()
        self.arm16 = AttentionRefinement(256, 128)
        self.arm32 = AttentionRefinement(512, 128)
        self.conv_head32 = ConvBNReLU(128, 128)
        self.conv_head16 = ConvBNReLU(128, 128)
        self.conv_avg = ConvBNReLU(512, 128, 1, 1, 0)

    def forward(self, x):
        f8, f16, f32 = self.resnet(x)
        avg = self.conv_avg(F.adaptive_avg_pool2d(f32, 1))
        f32_sum = self.arm32(f32) + F.interpolate(avg, f32.shape[2:], mode="nearest")
        f32_up = self.conv_head32(F.interpolate(f32_sum, f16.shape[2:], mode="nearest"))
        f16_sum = self.arm16(f16) + f32_up
        f16_up = self.conv_head16(F.interpolate(f16_sum, f8.shape[2:], mode="nearest"))
        return f8, f16_up, f32_up


class FeatureFusion(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.convblk = ConvBNReLU(cin, cout, 1, 1, 0)
        self.conv1 = nn.Conv2d(cout, cout // 4, 1, bias=False)
        self.conv2 = nn.Conv2d(cout // 4, cout, 1, bias=False)

    def forward(self, fsp, fcp):
        feat = self.convblk(torch.cat([fsp, fcp], 1))
        att = torch.sigmoid(self.conv2(F.relu(self.conv1(F.adaptive_avg_pool2d(feat, 1)))))
        return feat * att + feat


class BiSeNet(nn.Module):
    """BiSeNet with the key names of `79999_iter.pth`; forward returns the main logits."""

    def __init__(self, n_classes: int = 19):
        super().__init__()
        self.cp = ContextPath()
        self.ffm = FeatureFusion(256, 256)
        self.conv_out = Output(256, 256, n_classes)
        self.conv_out16 = Output(128, 64, n_classes)
        self.conv_out32 = Output(128, 64, n_classes)

    def forward(self, x):
        f8, cp8, _ = self.cp(x)
        out = self.conv_out(self.ffm(f8, cp8))
        return F.interpolate(out, x.shape[2:], mode="bilinear", align_corners=True)


IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def load_bisenet(path: Path, device: str = "cpu") -> BiSeNet:
    """BiSeNet with weights from a user-supplied `79999_iter.pth`; errors name missing or
    unexpected keys."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: BiSeNet weights file not found (supply 79999_iter.pth)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any unpickling failure means a bad file
        raise ValueError(f"{path}: not a readable torch weights file ({err})") from err
    if isinstance(state, dict) and isinstance(state.get("model"), dict):
        state = state["model"]
    state = {k.removeprefix("module."): v for k, v in state.items()}
    model = BiSeNet()
    expected = set(model.state_dict())
    missing, unexpected = sorted(expected - set(state)), sorted(set(state) - expected)
    if missing or unexpected:
        raise ValueError(f"{path}: not a BiSeNet face-parsing checkpoint; "
                         f"missing keys {missing[:8]}{'...' if len(missing) > 8 else ''}, "
                         f"unexpected keys {unexpected[:8]}{'...' if len(unexpected) > 8 else ''}")
    model.load_state_dict(state)
    return model.to(device).eval()


@torch.no_grad()
def bisenet_parse(model: BiSeNet, image, device: str = "cpu"):
    """Class map of an RGB uint8 image: predicted at 512x512, upscaled by nearest neighbour."""
    import numpy as np

    h, w = image.shape[:2]
    x = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None].float().div(255)
    x = F.interpolate(x, (512, 512), mode="bilinear", align_corners=False)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    labels = model((x - mean).div(std).to(device)).argmax(1, keepdim=True).float()
    labels = F.interpolate(labels, (h, w), mode="nearest")
    return labels[0, 0].byte().cpu().numpy()
