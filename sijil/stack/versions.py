"""Every version the local stack uses, pinned in one place.

Changing one of these is a deliberate act: the tests and the figures in the issues were
measured with exactly these. The Python packages are pinned in pyproject.toml.
"""

ELASTICSEARCH_VERSION = "8.19.21"
# The integration-test distribution is the only 8.19 zip on Maven Central (no 9.x).
ELASTICSEARCH_ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ELASTICSEARCH_VERSION}:zip"
ELASTICSEARCH_ZIP_SHA256 = "215d5f3dbf0609a149f6218a9e47b6ae2df34ebbff3c5754e35f15a5e5393c8a"
JAVA_MAJOR = 17

ANALYSIS_PLUGIN_NAME = "sijil-analysis"
ANALYSIS_PLUGIN_VERSION = "0.1.0"

# The module has no semver tags; this pseudo-version is what @latest resolved to.
MINIO_MODULE = "github.com/minio/minio"
MINIO_VERSION = "v0.0.0-20260212201848-7aac2a2c5b7c"

VERAPDF_VERSION = "1.30.2"
VERAPDF_MAIN_CLASS = "org.verapdf.apps.GreenfieldCliWrapper"
