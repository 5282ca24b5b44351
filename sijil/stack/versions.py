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

# Tesseract models read pages better than the distribution's `tessdata_fast` ones (Debian's
# tesseract-ocr-ara/fra): tessdata_best, integerized ("best_int": the best networks with
# 8-bit weights, about as fast as the float ones are slow). tesseract.js publishes them on
# the npm registry (Apache-2.0 models, MIT packaging): one package per language, the model
# as a gzip member of the package tarball. Pinned: the tarball (its npm `integrity`, a
# sha512 in Subresource Integrity form), the member, and the sha256 of the model unpacked.
# Installed by `sijil stack up` into HOME/tessdata (see sijil/stack/models.py).
TESSDATA_MODELS = {
    "ara": {
        "package": "@tesseract.js-data/ara@1.0.0",
        "tarball": "https://registry.npmjs.org/@tesseract.js-data/ara/-/ara-1.0.0.tgz",
        "integrity": "sha512-bB60Av6dsv9LRUrlaM6SgnAwjUpdbanw9Jf3mbhDCZAhX7Cp8u7YjI8EWfCvMhH3R2QJT/2EA8cijqPANOhwaA==",
        "member": "package/4.0.0_best_int/ara.traineddata.gz",
        "sha256": "e7d6494e2ef249ee97ad151eb01e0e6ae3aaf429256442ad6af534862a2a8c0f",
    },
    "fra": {
        "package": "@tesseract.js-data/fra@1.0.0",
        "tarball": "https://registry.npmjs.org/@tesseract.js-data/fra/-/fra-1.0.0.tgz",
        "integrity": "sha512-pp58gMaoyidoBBLd5y5rnf0WW0Y1994QrGqZrYatITqIU/AReUJMykD+YY3JDgvnmgz7uAx1UmhjjuyEmV8JEA==",
        "member": "package/4.0.0_best_int/fra.traineddata.gz",
        "sha256": "bf83833fa957ff0076f6aa93f69e3bdf7b014dea829ea0c0d6be6b48a3ceef6d",
    },
}
