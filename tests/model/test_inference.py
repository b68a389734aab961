"""The one inference path: whole inputs of any size, BatchNorm folded for speed without
changing the result, masks only kept."""

import numpy as np
import torch

from wrinklelib.model import precision
from wrinklelib.model.inference import for_inference, predict, predict_batch, segment
from wrinklelib.model.networks import create


def trained_like():
    """A small U-Net whose BatchNorm statistics are not the identity (as after training)."""
    torch.manual_seed(0)
    model = create("unet", in_channels=4, out_channels=2, width=4)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.3, 0.3)
    return model.eval()


def test_folding_batchnorm_keeps_the_outputs():
    model, x = trained_like(), torch.randn(2, 4, 48, 48)
    with torch.no_grad():
        expected = model(x)
    folded = for_inference(model, torch.device("cpu"))
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    assert torch.allclose(predict_batch(folded, x, torch.device("cpu")), expected, atol=1e-5)
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())        # the model itself is untouched


def test_any_size_is_padded_and_cropped_back_and_batches_do_not_matter():
    model, dev = trained_like(), torch.device("cpu")
    x = [torch.randn(4, 50, 50) for _ in range(5)]
    out = predict(model, x, dev, batch_size=2)
    assert out.shape == (5, 2, 50, 50)
    one_by_one = torch.cat([predict(model, [xi], dev, batch_size=1) for xi in x])
    assert torch.allclose(out, one_by_one, atol=1e-5)
    masks = segment(model, x, dev, batch_size=3)
    assert masks.dtype == np.uint8 and masks.shape == (5, 50, 50)
    assert np.array_equal(masks, out.argmax(1).numpy())


def test_the_precision_policy():
    model = create("unet", in_channels=3, out_channels=1, width=2)
    dev = torch.device("cpu")
    assert precision.weights_dtype(precision.prepare(model, dev, "float64")) == torch.float64
    assert precision.dtype("auto") == torch.float32
    assert precision.batch(torch.zeros(1, 3, 8, 8), dev, torch.float64).dtype == torch.float64
    assert precision.channels_last(torch.zeros(1, 3, 8, 8)).is_contiguous(memory_format=torch.channels_last)
    with precision.autocast(dev):             # no autocast on a CPU: the computation stays in float32
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
