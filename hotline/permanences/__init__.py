"""Who works when: the duty roster of the green number (later: places, recurring permanences and
appointments). `on_duty()` is the one question the voice menu asks.
"""
