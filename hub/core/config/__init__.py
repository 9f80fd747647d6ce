"""The YAML configuration: loading with file:line, validation, secrets kept out of logs."""

from .errors import ConfigError, ConfigErrors, without_followups
from .loader import load_config_dir, load_yaml_file
from .nodes import NodeDict, NodeList, NodeStr, Secret, where
from .schema import validate_config
from .secrets import RedactingWriter, install_log_redaction, redact
from .validation import suggest, validate

__all__ = [
    "ConfigError",
    "ConfigErrors",
    "NodeDict",
    "NodeList",
    "NodeStr",
    "RedactingWriter",
    "Secret",
    "install_log_redaction",
    "load_config_dir",
    "load_yaml_file",
    "redact",
    "suggest",
    "validate",
    "validate_config",
    "where",
    "without_followups",
]
