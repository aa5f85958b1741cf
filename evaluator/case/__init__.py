"""Reading a case under a pack: the shape per pack and stage, the cross-field checks, and the
loader that turns a file or document into a typed Case."""
