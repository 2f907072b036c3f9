"""A window for the desktop tests: covers the screen, reports what reaches it.

Prints one JSON object per line on stdout: {"event": "ready"} once it is mapped and
focused, {"event": "text", "text": ...} after each key, {"event": "button", "button": n,
"shift": ..., "x": ..., "y": ...} for each press (root coordinates). A left click also turns the
window red, so a screen grab can see that the click landed.
"""

import json
import sys
import tkinter as tk


def say(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


root = tk.Tk()
width, height = root.winfo_screenwidth(), root.winfo_screenheight()
root.geometry(f"{width}x{height}+0+0")
root.overrideredirect(True)
root.configure(background="#0000ff")
entry = tk.Entry(root, font=("TkFixedFont", 24))
entry.place(x=20, y=20, width=width - 40)


def on_key(_event):
    root.after(1, lambda: say(event="text", text=entry.get()))


def on_button(event):
    if event.num == 1:
        root.configure(background="#ff0000")
    # Tk reports X buttons 6 and 7 (horizontal wheel) as 4 and 5 with Shift held.
    shift = bool(event.state & 1)
    say(event="button", button=event.num, shift=shift, x=event.x_root, y=event.y_root)


entry.bind("<KeyRelease>", on_key)
root.bind_all("<ButtonPress>", on_button)


def ready():
    entry.focus_force()
    say(event="ready")


root.after(300, ready)
root.mainloop()
