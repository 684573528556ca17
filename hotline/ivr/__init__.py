"""The green number: Twilio webhooks that walk a caller through a French voice menu to the jurist
on duty, the call log, callbacks, and the call simulator.
"""
