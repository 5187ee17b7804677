from console.factories import *  # noqa: F401,F403  (fixtures shared with tests/api)
