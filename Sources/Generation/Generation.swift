// Generation module.
