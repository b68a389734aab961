import pytest
import torch

from wrinklelib.model.bisenet import BiSeNet, bisenet_parse, load_bisenet


def test_key_layout_of_the_release_file():
    sd = BiSeNet().state_dict()
    assert len(sd) == 191
    assert sum(p.numel() for p in BiSeNet().parameters()) == pytest.approx(13.3e6, rel=0.01)
    for key in ("cp.resnet.conv1.weight", "cp.resnet.layer4.1.bn2.running_var", "cp.arm16.conv_atten.weight",
                "ffm.convblk.conv.weight", "conv_out.conv_out.weight", "conv_out16.conv.bn.weight"):
        assert key in sd


def test_random_weights_round_trip(tmp_path, astronaut):
    torch.manual_seed(0)
    model = BiSeNet().eval()
    torch.save({"module." + k: v for k, v in model.state_dict().items()}, tmp_path / "79999_iter.pth")
    loaded = load_bisenet(tmp_path / "79999_iter.pth")
    for k, v in model.state_dict().items():
        assert torch.equal(v, loaded.state_dict()[k])
    labels = bisenet_parse(loaded, astronaut[:100, :120])
    assert labels.shape == (100, 120) and labels.max() < 19


def test_wrong_file_names_keys(tmp_path):
    sd = BiSeNet().state_dict()
    sd.pop("cp.arm32.conv.conv.weight")
    sd["extra.weight"] = torch.zeros(1)
    torch.save(sd, tmp_path / "bad.pth")
    with pytest.raises(ValueError, match=r"cp\.arm32\.conv\.conv\.weight.*extra\.weight"):
        load_bisenet(tmp_path / "bad.pth")
    with pytest.raises(FileNotFoundError, match="not found"):
        load_bisenet(tmp_path / "missing.pth")
    (tmp_path / "junk.pth").write_bytes(b"junk")
    with pytest.raises(ValueError, match="junk.pth"):
        load_bisenet(tmp_path / "junk.pth")
