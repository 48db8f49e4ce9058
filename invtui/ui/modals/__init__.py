"""Dialogs that sit over a screen and return a value: forms, confirmations, notes, file names."""
