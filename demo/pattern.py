#!/usr/bin/python3
"""A moving test pattern for measuring the remote desktop (bench/desktop.ts).

Every frame, the pattern draws the wall-clock time in milliseconds as two rows of
black and white blocks (the bits, then the same bits inverted, so that a reader can
tell a clean frame from a torn or blurred one), a big frame counter and a bar that
sweeps across the screen. A square flips between black and white on each mouse press,
for measuring input latency.

The geometry below is mirrored in bench/pattern-layout.ts; change both together.
Run with Debian's /usr/bin/python3 (python3-tk); prints "ready" once the window is up.
"""

import argparse
import time
import tkinter as tk

BITS = 32
# Fractions of the screen, so that a reader finds the blocks at any decoded size.
ROW_TOP = 0.05
ROW_HEIGHT = 0.08
ROW_GAP = 0.02
ROW_LEFT = 0.03
ROW_RIGHT = 0.97
FLIP = (0.74, 0.56, 0.96, 0.94)  # left, top, right, bottom
BAR_TOP, BAR_BOTTOM = 0.30, 0.50
TICK_MS = 16  # about 60 Hz: faster than the 30 fps capture, so each frame has a fresh time


def bits_of(value):
    """The low BITS bits of value, most significant first."""
    return [(value >> (BITS - 1 - i)) & 1 for i in range(BITS)]


class Pattern:
    def __init__(self, root, width, height):
        self.root = root
        self.width = width
        self.height = height
        self.frame = 0
        self.flipped = False

        root.title("Tether test pattern")
        root.geometry(f"{width}x{height}+0+0")
        canvas = tk.Canvas(root, width=width, height=height, background="#404040",
                           highlightthickness=0)
        canvas.pack()
        self.canvas = canvas

        self.rows = [self._block_row(0), self._block_row(1)]
        left, top, right, bottom = FLIP
        self.flip = canvas.create_rectangle(left * width, top * height, right * width,
                                            bottom * height, fill="#000000", width=0)
        canvas.tag_bind(self.flip, "<ButtonPress-1>", self._on_press)
        canvas.create_text((left + right) / 2 * width, bottom * height + 14,
                           text="input area: flips on each press", fill="#d0d0d0",
                           font=("DejaVu Sans", 11))

        self.bar = canvas.create_rectangle(0, BAR_TOP * height, 40, BAR_BOTTOM * height,
                                           fill="#ffd400", width=0)
        self.counter = canvas.create_text(0.05 * width, 0.72 * height, anchor="w",
                                          fill="#ffffff", font=("DejaVu Sans Mono", 54, "bold"))
        self._tick()

    def _block_row(self, index):
        """One row of BITS blocks; row 0 carries the bits, row 1 their inverse."""
        top = (ROW_TOP + index * (ROW_HEIGHT + ROW_GAP)) * self.height
        bottom = top + ROW_HEIGHT * self.height
        step = (ROW_RIGHT - ROW_LEFT) * self.width / BITS
        left = ROW_LEFT * self.width
        return [
            self.canvas.create_rectangle(left + i * step, top, left + (i + 1) * step, bottom,
                                         fill="#000000", width=0)
            for i in range(BITS)
        ]

    def _on_press(self, _event):
        self.flipped = not self.flipped
        self.canvas.itemconfigure(self.flip, fill="#ffffff" if self.flipped else "#000000")
        # Draw now, then say when the pixels changed on the display: the bench compares this
        # with the moment it clicked in the browser (one machine, one clock).
        self.canvas.update_idletasks()
        print(f"flipped {int(time.time() * 1000)}", flush=True)

    def _tick(self):
        now_ms = int(time.time() * 1000)
        self.frame += 1
        for bit, block, inverse in zip(bits_of(now_ms), self.rows[0], self.rows[1]):
            self.canvas.itemconfigure(block, fill="#ffffff" if bit else "#000000")
            self.canvas.itemconfigure(inverse, fill="#000000" if bit else "#ffffff")

        x = (now_ms % 2000) / 2000 * (self.width - 40)
        self.canvas.coords(self.bar, x, BAR_TOP * self.height, x + 40, BAR_BOTTOM * self.height)
        clock = time.strftime("%H:%M:%S", time.localtime(now_ms / 1000))
        self.canvas.itemconfigure(self.counter,
                                  text=f"frame {self.frame:07d}\n{clock}.{now_ms % 1000:03d}")
        self.root.after(TICK_MS, self._tick)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=0)
    parser.add_argument("--height", type=int, default=0)
    args = parser.parse_args()

    root = tk.Tk()
    width = args.width or root.winfo_screenwidth()
    height = args.height or root.winfo_screenheight()
    Pattern(root, width, height)
    root.update()
    print("ready", flush=True)
    root.mainloop()


if __name__ == "__main__":
    main()
