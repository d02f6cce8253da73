"""The lab's NumPy engine: LSTM (optional peepholes), GRU and Elman RNN cells in PyTorch's layout,
BPTT (full or truncated), Adam, the adding problem and a character model of the deck's text.

Kept import-light: import the submodule you need (`app.nn.lab` for the web layer,
`app.nn.presets` for the preset names).
"""
