"""The app's screens, one module each; a view only draws its state object and forwards taps to it."""
