from glob import glob

from setuptools import find_packages, setup

PACKAGE = 'robotino_description'

setup(
    name=PACKAGE,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + PACKAGE]),
        ('share/' + PACKAGE, ['package.xml']),
        ('share/' + PACKAGE + '/urdf', glob('urdf/*')),
    ],
    install_requires=['setuptools'],
    extras_require={'test': ['pytest']},
    zip_safe=True,
    maintainer='Robotino RL maintainers',
    maintainer_email='maintainers@robotino-rl.org',
    description=(
        'The Robotino 3 defined once: URDF, geometry, limits, IR layout, kinematics.'
    ),
    license='Apache-2.0',
    entry_points={'console_scripts': []},
)
