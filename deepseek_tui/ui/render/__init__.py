"""Linear-time rendering of streamed text.

A streamed answer is split into *settled* blocks, which are rendered once and
never touched again, and an open *tail*, the only part re-rendered as text
arrives (at most once per frame). See :mod:`.blocks` for where a block
settles, :mod:`.markdown` for how a block becomes terminal lines,
:mod:`.view` for the widgets and :mod:`.history` for opening long
conversations without mounting all of them.
"""
