"""Face-parsing class ids (BiSeNet trained on CelebAMask-HQ, as the paper used): the one
place that the synthetic painter, the landmark parser and the texture mask read them from."""

BACKGROUND, SKIN, L_BROW, R_BROW, L_EYE, R_EYE, GLASSES, L_EAR, R_EAR, EARRING = range(10)
NOSE, MOUTH, U_LIP, L_LIP, NECK, NECKLACE, CLOTH, HAIR, HAT = range(10, 19)
#: Number of classes in a label map.
N_CLASSES = 19
#: Classes the texture mask keeps: facial skin and nose.
FACE_SKIN = (SKIN, NOSE)
