"""Layer 3, the solver: the MIP stages, HiGHS (one thread scheduler per process), the hand-off
of the model to HiGHS, and the scaling check."""
