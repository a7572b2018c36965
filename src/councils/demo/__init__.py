"""The Petrograd 1917 demonstration: ``councils demo`` loads it (see :mod:`councils.demo.loader`)."""
