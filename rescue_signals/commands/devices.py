"""`rescue-signals devices`: list audio inputs and outputs, and say clearly when there are none."""

from __future__ import annotations

import json

from rescue_signals.audio import list_devices


def add_arguments(parser):
    parser.add_argument("--json", action="store_true", help="print the devices as JSON data")


def run(args) -> int:
    devices = list_devices()
    inputs = [d for d in devices if d.max_input_channels > 0]
    outputs = [d for d in devices if d.max_output_channels > 0]
    if args.json:
        print(json.dumps([d.__dict__ for d in devices], indent=2))
        return 0
    for title, group, channels in (("Inputs (microphones)", inputs, "max_input_channels"),
                                   ("Outputs (speakers)", outputs, "max_output_channels")):
        print(f"{title}:")
        if not group:
            print("  none found: " + ("knocking into the microphone and 'listen' will not work"
                                      if group is inputs else "signals will be shown, not played (silent mode)"))
        for d in group:
            default = " (default)" if (d.is_default_input if group is inputs else d.is_default_output) else ""
            print(f"  [{d.index}] {d.name}{default} - {d.host_api}, {getattr(d, channels)} ch, "
                  f"{d.default_samplerate:g} Hz")
    return 0
