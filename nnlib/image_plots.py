"""Images on screen: a grid of k images with a title under each (notebook 05).

Draws with Matplotlib and returns the Figure, so a notebook can add to it or save it.
"""
import matplotlib.pyplot as plt
import numpy as np

from .checks import as_float_array

__all__ = ["show_images"]


def show_images(images, titles=None, ncols=8, cmap="gray", size=1.3):
    """A grid of k images (k, height, width), optionally with a title under each.

    images: grey images (k, h, w), or colour (k, h, w, 3); each is scaled to its
    own min..max. titles: None or k strings. size: inches per image. Returns the Figure.
    """
    images = as_float_array("images", images)
    if not (images.ndim == 3 or (images.ndim == 4 and images.shape[-1] in (3, 4))):
        raise ValueError(f"images must have shape (k, height, width) or (k, height, width, 3), got {images.shape}")
    k = images.shape[0]
    if k == 0:
        raise ValueError("images must hold at least one image, got k = 0")
    if titles is not None:
        titles = list(titles)
        if len(titles) != k:
            raise ValueError(f"titles must have one entry per image: {k} images, {len(titles)} titles")
    if not (isinstance(ncols, (int, np.integer)) and ncols >= 1):
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    ncols = min(int(ncols), k)
    nrows = -(-k // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * (1.25 if titles else 1.0)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < k:
            ax.imshow(images[i], cmap=cmap, interpolation="nearest")
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=8)
    fig.tight_layout()
    return fig
