"""Packaging of ckanext-datagrandest: metadata, pinned stack and entry points, declared once."""

from setuptools import find_namespace_packages, setup

CKAN_STACK = [
    "ckan[requirements]==2.11.6",
    "ckanext-scheming==3.1.0",
    "ckanext-dcat==2.4.4",
    "ckanext-harvest==1.6.3",
]

# Our own runtime dependencies, besides CKAN's: nh3 sanitises harvested HTML; tabulator,
# Unidecode and chardet are what ckanext-xloader needs to read CSV/XLSX files; pyshacl
# validates each dataset's DCAT output for the quality score (quality/compliance.py).
RUNTIME = [
    "nh3==0.3.7",
    "pyshacl==0.29.1",
    "tabulator==1.53.5",
    "Unidecode==1.4.0",
    "chardet==7.6.0",
]

# Resource previews. ckanext-xloader 2.6.0's metadata asks for newer requests, urllib3,
# certifi, idna and six than CKAN 2.11.6 pins, so pip cannot install both together; it runs on
# CKAN's versions. `make setup` (and the Dockerfile) install this extra with --no-deps, after
# the rest; its own dependencies are in RUNTIME above.
PREVIEWS = [
    "ckanext-xloader==2.6.0",
    "ckanext-geoview==0.3.2",
]

TEST_TOOLS = [
    "pytest==8.3.3",
    "pytest-factoryboy==2.7.0",
    "factory-boy==3.3.1",
    "Faker==30.8.2",
    "beautifulsoup4==4.12.3",
    "freezegun==1.5.1",
    "pytest-timeout==2.3.1",
    "ruff==0.8.4",
    "build==1.2.2",
    "types-PyYAML==6.0.12.20240917",
    "types-requests==2.32.0.20241016",
]

setup(
    name="ckanext-datagrandest",
    version="0.1.0",
    description="CKAN extension of DataGrandEst, the open-data portal of the Grand Est region",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=find_namespace_packages(include=["ckanext", "ckanext.*"]),
    include_package_data=True,
    zip_safe=False,
    install_requires=CKAN_STACK + RUNTIME,
    # "outlines": scripts/territories/build_outlines.py only; the portal reads its result.
    extras_require={
        "test": TEST_TOOLS,
        "previews": PREVIEWS,
        "outlines": ["shapely==2.1.2"],
    },
    entry_points={
        "ckan.plugins": [
            "datagrandest = ckanext.datagrandest.plugin:DataGrandEstPlugin",
            "datagrandest_udata = ckanext.datagrandest.harvesters.udata:UdataHarvester",
            "datagrandest_ods = ckanext.datagrandest.harvesters.ods:OdsHarvester",
            "datagrandest_csw = ckanext.datagrandest.harvesters.csw:CSWHarvester",
            "datagrandest_ckan = ckanext.datagrandest.harvesters.ckan_portal:CKANHarvester",
            "datagrandest_dcat = ckanext.datagrandest.harvesters.dcat:DCATHarvester",
            "datagrandest_geo_view = ckanext.datagrandest.service_maps:ServiceMapView",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
        "ckan.rdf.profiles": [
            "datagrandest = ckanext.datagrandest.dcat.profile:DataGrandEstDCATAP3Profile",
        ],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
