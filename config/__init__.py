"""Settings for each environment, read from the environment variables.

`config_for(name)` picks the class: development (embedded defaults), testing, production.
"""
from config.settings import (  # noqa: F401
    BaseConfig,
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
    config_for,
)
