"""The paper's published numbers, kept apart as reference values (never as our results)."""

#: Table 1 of the paper: test JSI by method and training fraction (percent of 400 images).
PAPER_TABLE1 = {
    "none": {"100": 0.4319, "50": 0.4120, "25": 0.3594, "5": 0.2608},
    "ours": {"100": 0.4511, "50": 0.4155, "25": 0.3700, "5": 0.3461},
}
#: Parameter counts as printed in Table 1.
PAPER_PARAMS = {"none": "17.263M", "ours": "17.264M"}
#: Table 2 of the paper: test JSI after finetuning on 100% with each pretraining.
PAPER_TABLE2 = {"reconstruction": 0.4334, "deblur": 0.4393, "denoise": 0.4364,
                "superres": 0.4384, "ours": 0.4511}
#: Names as the paper prints them.
METHOD_NAMES = {"none": "No pretraining", "ours": "Ours", "texture_scratch": "Texture input, no pretraining",
                "reconstruction": "Reconstruction", "deblur": "Deblur", "denoise": "Denoise",
                "superres": "Super-Resolution"}
