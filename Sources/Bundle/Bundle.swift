// Bundle module.
