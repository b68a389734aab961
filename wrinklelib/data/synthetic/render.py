"""From relief and colours to a photograph: diffuse and specular shading under a key light
with ambient light and cast shadows, the head turned by its pose, and the camera's blur,
noise, downscaling and JPEG compression."""

from __future__ import annotations

import cv2
import numpy as np

from .spec import Camera, Light, Spec


def rotation(spec: Spec) -> np.ndarray:
    """Head frame to camera frame: pitch (about x), then yaw (about y), then roll (about z)."""
    p, y, r = spec.pitch, spec.yaw, spec.roll
    rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    return rz @ ry @ rx


def cast_shadow(z: np.ndarray, light: np.ndarray, steps: int = 24) -> np.ndarray:
    """Soft shadow (0 lit .. 1 dark) of a height field (pixels) under a directional light,
    found by marching towards the light from every pixel."""
    n = z.shape[0]
    lxy = np.hypot(light[0], light[1])
    if lxy < 1e-3:
        return np.zeros_like(z)
    ux, uy, rise = light[0] / lxy, light[1] / lxy, light[2] / lxy
    step = max(1.0, n / 128)
    blocked = np.zeros_like(z)
    for k in range(1, steps + 1):
        m = np.float32([[1, 0, -ux * k * step], [0, 1, -uy * k * step]])
        ahead = cv2.warpAffine(z, m, (n, n), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)
        blocked = np.maximum(blocked, ahead - z - rise * k * step)
    return cv2.GaussianBlur(np.clip(blocked / (0.02 * n), 0, 1), (0, 0), n / 200)


def occlusion(z: np.ndarray, detail: float, creases: float = 1.0, hollows: float = 0.03) -> np.ndarray:
    """Ambient occlusion (1 open .. 0 closed) from how far each pixel lies below the mean
    height around it: crease bottoms, nostrils and eye sockets receive less light."""
    n = z.shape[0]
    near = np.clip(cv2.GaussianBlur(z, (0, 0), 4 * detail + 0.5) - z, 0, None)
    far = np.clip(cv2.GaussianBlur(z, (0, 0), n / 40) - z, 0, None)
    return np.exp(-near / (creases * detail + 0.2) - far / (hollows * n))


def shade(z: np.ndarray, albedo: np.ndarray, shine: np.ndarray, shadow: np.ndarray, light: Light,
          direction: np.ndarray, flat: np.ndarray, detail: float) -> np.ndarray:
    """Linear RGB radiance: albedo x (ambient + diffuse) x occlusion plus a Blinn-Phong
    highlight; the `flat` pixels (a backdrop) face the camera whatever the relief beside them."""
    gx = np.where(flat, 0, cv2.Sobel(z, cv2.CV_32F, 1, 0, ksize=3) / 8)
    gy = np.where(flat, 0, cv2.Sobel(z, cv2.CV_32F, 0, 1, ksize=3) / 8)
    norm = np.sqrt(gx * gx + gy * gy + 1)
    towards = direction / np.linalg.norm(direction)
    ndotl = (-gx * towards[0] - gy * towards[1] + towards[2]) / norm
    lit = (1 - shadow) * light.strength
    half = towards + np.array([0, 0, 1.0])
    half /= np.linalg.norm(half)
    ndoth = np.clip((-gx * half[0] - gy * half[1] + half[2]) / norm, 0, 1)
    highlight = light.specular * shine * ndoth ** light.shininess * lit
    ao = np.where(flat, 1, occlusion(z, detail))
    radiance = albedo * ((light.ambient + np.clip(ndotl, 0, None) * lit) * ao)[..., None] + highlight[..., None]
    return radiance * np.asarray(light.colour, np.float32)


def pose_maps(z: np.ndarray, spec: Spec, centre: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Remap tables (posed pixel -> frontal pixel) of a head turned by the face's pose, the
    depth of each frontal pixel given by the height field (orthographic camera)."""
    n = z.shape[0]
    cx, cy = centre
    ys, xs = np.mgrid[0:n, 0:n].astype(np.float32)
    c, s_ = np.float32(np.cos(-spec.roll)), np.float32(np.sin(-spec.roll))
    u, v = c * (xs - cx) - s_ * (ys - cy), s_ * (xs - cx) + c * (ys - cy)
    cy_, sy_, cp, sp = np.cos(spec.yaw), np.sin(spec.yaw), np.cos(spec.pitch), np.sin(spec.pitch)
    x, y = (u / cy_).astype(np.float32), (v / cp).astype(np.float32)
    for _ in range(3):
        depth = cv2.remap(z, x + np.float32(cx), y + np.float32(cy), cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT)
        x = ((u - (y * sp + depth * cp) * sy_) / cy_).astype(np.float32)
        y = ((v + depth * sp) / cp).astype(np.float32)
    return (x + cx).astype(np.float32), (y + cy).astype(np.float32)


def project(points: np.ndarray, z: np.ndarray, spec: Spec, centre: tuple[float, float]) -> np.ndarray:
    """Frontal pixel coordinates (N x 2) to posed ones, as pose_maps turns the head."""
    cx, cy = centre
    depth = cv2.remap(z, points[:, 0:1].astype(np.float32), points[:, 1:2].astype(np.float32),
                      cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)[:, 0]
    x, y = points[:, 0] - cx, points[:, 1] - cy
    cy_, sy_, cp, sp = np.cos(spec.yaw), np.sin(spec.yaw), np.cos(spec.pitch), np.sin(spec.pitch)
    x2, y2 = x * cy_ + (y * sp + depth * cp) * sy_, y * cp - depth * sp
    c, s_ = np.cos(spec.roll), np.sin(spec.roll)
    return np.stack([c * x2 - s_ * y2 + cx, s_ * x2 + c * y2 + cy], 1)


def warp(image: np.ndarray, maps: tuple[np.ndarray, np.ndarray], labels: bool = False) -> np.ndarray:
    """An image (or label map, nearest neighbour) seen in the posed frame."""
    interpolation = cv2.INTER_NEAREST if labels else cv2.INTER_LINEAR
    return cv2.remap(image, maps[0], maps[1], interpolation, borderMode=cv2.BORDER_REFLECT_101)


def to_srgb(radiance: np.ndarray, contrast: float = 1.0) -> np.ndarray:
    """Linear radiance to 0..255 values as a camera encodes them: gamma 2.2, then an S-shaped
    tone curve of the given contrast around mid-gray."""
    v = np.power(np.clip(radiance, 0, 1), 1 / 2.2)
    v = 0.5 + 0.5 * np.tanh(contrast * (v - 0.5) * 2) / np.tanh(contrast)
    return v * 255


def camera(rng: np.random.Generator, image: np.ndarray, cam: Camera, detail: float) -> np.ndarray:
    """Lens blur, a smaller capture scaled up, sensor noise and JPEG, on 0..255 floats;
    returns uint8 RGB."""
    n = image.shape[0]
    out = cv2.GaussianBlur(image, (0, 0), cam.blur * detail + 0.3)
    if cam.downscale > 1:
        small = max(16, int(n / cam.downscale))
        out = cv2.resize(cv2.resize(out, (small, small), interpolation=cv2.INTER_AREA), (n, n),
                         interpolation=cv2.INTER_LINEAR)
    out += rng.normal(0, cam.noise, out.shape).astype(np.float32) * np.sqrt(np.clip(out, 1, 255) / 128)
    out = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    if cam.jpeg:
        _, buf = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, cam.jpeg])
        out = cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1]
    return np.ascontiguousarray(out)
