#!/usr/bin/python3
"""The Demo Facility's service computer: a device service tool filling the screen.

This is what a technician sees and drives over a Tether remote desktop session. It
shows the simulated devices (service facts only, never patient data), a service note,
three buttons whose effect is visible at once, a log of what was done and a status bar
whose clock ticks every second, so that a live picture is easy to tell from a frozen one.

Run with Debian's /usr/bin/python3 (python3-tk); prints "ready" once the window is up.
"""

import argparse
import json
import time
import tkinter as tk
from pathlib import Path
from tkinter import font as tkfont
from tkinter import ttk

DEVICES_FILE = Path(__file__).with_name("devices.json")
SELF_TEST_SECONDS = 2.0

# A neutral clinical palette: white panels on light grey, one calm blue for headings.
BACKGROUND = "#eef1f4"
PANEL = "#ffffff"
HEADER = "#1f3b57"
HEADER_TEXT = "#ffffff"
TEXT = "#1d2733"
MUTED = "#5b6b7b"
STATUS_COLOURS = {
    "idle": ("#dde3ea", TEXT),
    "busy": ("#f6d365", TEXT),
    "good": ("#2e7d4f", "#ffffff"),
}


def load_devices():
    """The facility's devices, copied from the agent's simulator into devices.json."""
    with DEVICES_FILE.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return data["facility"], data["devices"]


class ServiceTool:
    """One window: header, device table, service note and buttons, log, status bar."""

    def __init__(self, root, width, height, log_file=None):
        self.root = root
        self.log_file = log_file
        self.facility, self.devices = load_devices()
        self.busy = False

        root.title("Device Service Tool — " + self.facility)
        root.geometry(f"{width}x{height}+0+0")
        root.configure(background=BACKGROUND)
        self._set_fonts()
        self._set_style()

        self._build_header()
        self._build_status_bar()
        body = tk.Frame(root, background=BACKGROUND)
        body.pack(fill="both", expand=True, padx=16, pady=12)
        body.columnconfigure(0, weight=1, minsize=790)
        body.columnconfigure(1, weight=1)
        body.rowconfigure(1, weight=1)
        self._build_devices(body)
        self._build_actions(body)
        self._build_log(body)

        self.log(f"Device Service Tool started for {self.facility} ({len(self.devices)} devices)")
        self._tick()

    def _set_fonts(self):
        family = "DejaVu Sans"
        for name, size in (("TkDefaultFont", 11), ("TkTextFont", 11), ("TkHeadingFont", 11)):
            tkfont.nametofont(name).configure(family=family, size=size)
        self.title_font = tkfont.Font(family=family, size=15, weight="bold")
        self.section_font = tkfont.Font(family=family, size=12, weight="bold")
        self.mono_font = tkfont.Font(family="DejaVu Sans Mono", size=10)
        self.clock_font = tkfont.Font(family="DejaVu Sans Mono", size=12, weight="bold")

    def _set_style(self):
        style = ttk.Style(self.root)
        style.theme_use("clam")
        style.configure("Treeview", rowheight=30, background=PANEL, fieldbackground=PANEL)
        style.configure("Treeview.Heading", font=("DejaVu Sans", 11, "bold"))
        style.configure("TButton", padding=(8, 8))
        style.configure("Accent.TButton", padding=(8, 8), background="#2a6db0",
                        foreground="#ffffff")
        style.map("Accent.TButton", background=[("active", "#1f5a94")])

    def _build_header(self):
        header = tk.Frame(self.root, background=HEADER, height=52)
        header.pack(fill="x")
        header.pack_propagate(False)
        tk.Label(header, text="Device Service Tool — " + self.facility, font=self.title_font,
                 background=HEADER, foreground=HEADER_TEXT).pack(side="left", padx=16)
        tk.Label(header, text="Service computer · device service data only",
                 background=HEADER, foreground="#c9d6e3").pack(side="right", padx=16)

    def _build_status_bar(self):
        bar = tk.Frame(self.root, background=STATUS_COLOURS["idle"][0], height=34)
        bar.pack(side="bottom", fill="x")
        bar.pack_propagate(False)
        self.status_bar = bar
        self.status = tk.Label(bar, text="Ready", anchor="w", background=bar["background"],
                               foreground=TEXT)
        self.status.pack(side="left", fill="x", expand=True, padx=16)
        self.clock = tk.Label(bar, text="--:--:--", font=self.clock_font,
                              background=bar["background"], foreground=TEXT)
        self.clock.pack(side="right", padx=16)

    def _section(self, parent, title, row, column, **grid):
        frame = tk.Frame(parent, background=PANEL, highlightbackground="#cfd7df",
                         highlightcolor="#cfd7df", highlightthickness=1)
        frame.grid(row=row, column=column, sticky="nsew", padx=6, pady=6, **grid)
        tk.Label(frame, text=title, font=self.section_font, background=PANEL,
                 foreground=HEADER).pack(anchor="w", padx=12, pady=(10, 6))
        return frame

    def _build_devices(self, body):
        frame = self._section(body, "Devices", 0, 0)
        columns = ("name", "model", "serial", "firmware", "state")
        table = ttk.Treeview(frame, columns=columns, show="headings", height=len(self.devices),
                             selectmode="browse")
        widths = {"name": 310, "model": 105, "serial": 135, "firmware": 95, "state": 120}
        titles = {"name": "Location", "model": "Model", "serial": "Serial number",
                  "firmware": "Firmware", "state": "Self-test"}
        for column in columns:
            table.heading(column, text=titles[column], anchor="w")
            table.column(column, width=widths[column], anchor="w", stretch=column == "name")
        for device in self.devices:
            table.insert("", "end", iid=device["id"], values=(
                device["name"], device["model"], device["serial"], device["firmware"], "—"))
        table.selection_set(self.devices[0]["id"])
        table.pack(fill="x", padx=12, pady=(0, 12))
        table.bind("<<TreeviewSelect>>", lambda _event: self._show_selected())
        self.table = table

    def _build_actions(self, body):
        frame = self._section(body, "Service", 0, 1)
        tk.Label(frame, text="Service note", background=PANEL, foreground=MUTED).pack(
            anchor="w", padx=12)
        self.note = ttk.Entry(frame, font=("DejaVu Sans", 12))
        self.note.pack(fill="x", padx=12, pady=(2, 10), ipady=4)
        self.note.bind("<Return>", lambda _event: self.add_note())

        buttons = tk.Frame(frame, background=PANEL)
        buttons.pack(fill="x", padx=12, pady=(0, 12))
        self.self_test_button = ttk.Button(buttons, text="Run self-test", style="Accent.TButton",
                                           command=self.run_self_test)
        self.self_test_button.pack(side="left")
        ttk.Button(buttons, text="Export service report", command=self.export_report).pack(
            side="left", padx=8)
        ttk.Button(buttons, text="Clear", command=self.clear).pack(side="left")

        self.selected = tk.Label(frame, background=PANEL, foreground=MUTED, justify="left",
                                 anchor="w")
        self.selected.pack(fill="x", padx=12, pady=(0, 12))
        self._show_selected()

    def _build_log(self, body):
        frame = self._section(body, "Service log", 1, 0, columnspan=2)
        self.log_text = tk.Text(frame, height=8, font=self.mono_font, background="#f8fafc",
                                foreground=TEXT, relief="flat", wrap="word",
                                state="disabled")
        self.log_text.pack(fill="both", expand=True, padx=12, pady=(0, 12))

    def selected_device(self):
        chosen = self.table.selection()
        wanted = chosen[0] if chosen else self.devices[0]["id"]
        return next(d for d in self.devices if d["id"] == wanted)

    def _show_selected(self):
        device = self.selected_device()
        self.selected.configure(text=(
            f"Selected: {device['name']}\n{device['manufacturer']} {device['model']}\n"
            f"SN {device['serial']}, firmware {device['firmware']}"))

    def log(self, line):
        self.log_text.configure(state="normal")
        self.log_text.insert("end", f"{time.strftime('%H:%M:%S')}  {line}\n")
        self.log_text.see("end")
        self.log_text.configure(state="disabled")
        if self.log_file:
            # Like real service software, the tool keeps a log file; put in the agent's drop
            # folder, it reaches the technician's Device logs.
            with open(self.log_file, "a", encoding="utf-8") as out:
                out.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} INFO service-tool: {line}\n")

    def layout(self):
        """Where the note field and the self-test button are on the screen, in pixels."""
        def box(widget):
            return [widget.winfo_rootx(), widget.winfo_rooty(), widget.winfo_width(),
                    widget.winfo_height()]
        return {"note": box(self.note), "selfTest": box(self.self_test_button)}

    def set_status(self, text, kind="idle"):
        background, foreground = STATUS_COLOURS[kind]
        self.status_bar.configure(background=background)
        for label in (self.status, self.clock):
            label.configure(background=background, foreground=foreground)
        self.status.configure(text=text)

    def run_self_test(self):
        if self.busy:
            self.log("Self-test already running; wait for it to finish")
            return
        device = self.selected_device()
        label = f"{device['model']} SN {device['serial']} ({device['name']})"
        self.busy = True
        self.table.set(device["id"], "state", "running…")
        self.log(f"Self-test started on {label}")
        self.set_status(f"Self-test running on {label}…", "busy")
        self.root.after(int(SELF_TEST_SECONDS * 1000), lambda: self._self_test_done(device, label))

    def _self_test_done(self, device, label):
        self.busy = False
        self.table.set(device["id"], "state", f"passed {time.strftime('%H:%M:%S')}")
        self.log(f"Self-test passed on {label}: firmware {device['firmware']}, board rev C")
        self.set_status(f"Self-test passed on {label}", "good")

    def export_report(self):
        name = time.strftime("service-report-%Y%m%d-%H%M%S.txt")
        note = self.note.get().strip()
        suffix = f', note "{note}"' if note else ""
        self.log(f"Service report {name} prepared for {len(self.devices)} devices{suffix} "
                 "(demo: not written to disk)")
        self.set_status(f"Service report {name} exported", "good")

    def add_note(self):
        note = self.note.get().strip()
        if note:
            self.log(f"Service note: {note}")
            self.set_status("Service note added")

    def clear(self):
        self.note.delete(0, "end")
        self.log_text.configure(state="normal")
        self.log_text.delete("1.0", "end")
        self.log_text.configure(state="disabled")
        self.set_status("Cleared")

    def _tick(self):
        self.clock.configure(text=time.strftime("%H:%M:%S"))
        # Wake just after the next whole second, so the clock never lags a visible second.
        self.root.after(1000 - int(time.time() * 1000) % 1000 + 5, self._tick)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=0)
    parser.add_argument("--height", type=int, default=0)
    parser.add_argument("--log-file", help="also append the service log to this file")
    parser.add_argument("--layout-file",
                        help="write where the note field and buttons are, for automated checks")
    args = parser.parse_args()

    root = tk.Tk()
    width = args.width or root.winfo_screenwidth()
    height = args.height or root.winfo_screenheight()
    tool = ServiceTool(root, width, height, args.log_file)
    root.update()
    if args.layout_file:
        with open(args.layout_file, "w", encoding="utf-8") as out:
            json.dump(tool.layout(), out)
    print("ready", flush=True)
    root.mainloop()


if __name__ == "__main__":
    main()
