// The model speaks JSON positions and values in its public API; re-export them.
@_exported import BerthJSON
