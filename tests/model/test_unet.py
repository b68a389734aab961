import pytest
import torch

from wrinklelib.model.transfer import FIRST_CONV, set_head_prior, transfer_weights
from wrinklelib.model.unet import UNet, count_parameters


@pytest.mark.parametrize("cin,cout,expected", [(3, 1, 17_262_977), (3, 2, 17_263_042), (4, 2, 17_263_618)])
def test_parameter_counts_match_the_paper_network(cin, cout, expected):
    assert count_parameters(UNet(cin, cout, 64)) == expected


def test_output_shape_and_odd_sizes():
    net = UNet(4, 2, 4).eval()
    assert net(torch.zeros(1, 4, 64, 48)).shape == (1, 2, 64, 48)
    assert net(torch.zeros(1, 4, 70, 50)).shape == (1, 2, 70, 50)


def test_transfer_copies_widens_and_keeps_fresh_head():
    torch.manual_seed(0)
    src = UNet(3, 1, 4)
    dst = UNet(4, 2, 4)
    fresh_head = dst.outc.conv.weight.clone()
    report = transfer_weights({"module." + k: v for k, v in src.state_dict().items()}, dst)
    assert report["widened"] == [FIRST_CONV]
    assert set(report["fresh"]) == {"outc.conv.weight", "outc.conv.bias"}
    for key in report["copied"]:
        assert torch.equal(dst.state_dict()[key], src.state_dict()[key])
    w_src, w_dst = src.state_dict()[FIRST_CONV], dst.state_dict()[FIRST_CONV]
    assert torch.equal(w_dst[:, :3], w_src)
    assert torch.allclose(w_dst[:, 3], w_src.mean(1))
    assert torch.equal(dst.outc.conv.weight, fresh_head)


def test_head_prior():
    net = UNet(3, 2, 4)
    set_head_prior(net, 0.01)
    bias = net.outc.conv.bias.detach()
    assert torch.isclose(torch.sigmoid(bias[1] - bias[0]), torch.tensor(0.01), atol=1e-4)


def test_confusion_model_recovers_known_annotator_confusions():
    """A toy problem: the true mask is the input's first channel; two simulated annotators
    flip pixels with known rates. The jointly trained confusion heads recover the rates."""
    from wrinklelib.model.confusion import ConfusionUNet, mean_confusion
    from wrinklelib.training.losses import confusion_loss

    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    rates = torch.tensor([[[0.95, 0.05], [0.30, 0.70]],      # misses 30% of the wrinkle pixels
                          [[0.80, 0.20], [0.05, 0.95]]])     # marks 20% of the background
    model = ConfusionUNet(1, 2, 8, annotators=2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        truth = (torch.rand(8, 32, 32, generator=g) < 0.3).long()
        x = truth[:, None].float() * 2 - 1
        marks = torch.stack([torch.bernoulli(rates[r][truth][..., 1], generator=g).long() for r in range(2)], 1)
        loss = confusion_loss(model(x), marks)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.train()
    with torch.no_grad():
        _, cms = model(x)
    learned = mean_confusion(cms)
    assert torch.allclose(learned, rates, atol=0.06), learned
    model.eval()
    assert model(x).shape == (8, 2, 32, 32)           # inference sees the segmenter alone
