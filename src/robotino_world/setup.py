from glob import glob

from setuptools import find_packages, setup

PACKAGE = 'robotino_world'

setup(
    name=PACKAGE,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + PACKAGE]),
        ('share/' + PACKAGE, ['package.xml']),
        ('share/' + PACKAGE + '/arenas', glob('arenas/*.yaml')),
    ],
    install_requires=['setuptools'],
    extras_require={'test': ['pytest']},
    zip_safe=True,
    maintainer='Robotino RL maintainers',
    maintainer_email='maintainers@robotino-rl.org',
    description=(
        'The world for any simulator: arenas, layouts, shapes, the drive ramp; no ROS.'
    ),
    license='Apache-2.0',
    entry_points={'console_scripts': []},
)
