"""The policy's rules as plain functions: no Flask, no database; each names its policy section."""
