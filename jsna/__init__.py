"""jsna: Joint Strategic Needs Assessments as code.

This module deliberately imports nothing, so ``import jsna.stats`` never pulls
in the web, rendering or database stacks.
"""

__version__ = "0.1.0"
