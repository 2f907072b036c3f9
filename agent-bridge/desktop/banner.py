#!/usr/bin/python3
"""An always-on-top strip at the top of the service computer's screen that tells whoever
sits there that a technician is viewing or controlling it.

Reads one line at a time on standard input: a line of text shows the banner with that
text, an empty line hides it. Ends when standard input closes. Prints "ready" once up.
"""

import queue
import sys
import threading
import tkinter as tk

AMBER = "#f5b400"
INK = "#1d1d1d"


def read_lines(lines):
    for line in sys.stdin:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def main():
    root = tk.Tk(className="tether-banner")
    root.overrideredirect(True)
    root.attributes("-topmost", True)
    root.configure(background=AMBER)
    label = tk.Label(root, background=AMBER, foreground=INK,
                     font=("DejaVu Sans", 12, "bold"), padx=18, pady=6)
    label.pack()
    root.withdraw()

    lines = queue.Queue()
    threading.Thread(target=read_lines, args=(lines,), daemon=True).start()

    def place():
        root.update_idletasks()
        width = root.winfo_reqwidth()
        root.geometry(f"+{(root.winfo_screenwidth() - width) // 2}+0")

    def poll():
        while not lines.empty():
            text = lines.get()
            if text is None:
                root.destroy()
                return
            if text:
                label.configure(text=text)
                root.deiconify()
                place()
                root.lift()
            else:
                root.withdraw()
        root.after(100, poll)

    root.after(100, poll)
    print("ready", flush=True)
    root.mainloop()


if __name__ == "__main__":
    main()
