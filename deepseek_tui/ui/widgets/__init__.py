"""Widgets of the chat screen. None of them imports ``api/`` or ``store/``:
the screen hands them text through methods and they post Messages back."""
