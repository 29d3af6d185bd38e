from setuptools import find_packages, setup

PACKAGE = 'rl_testing'

setup(
    name=PACKAGE,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + PACKAGE]),
        ('share/' + PACKAGE, ['package.xml']),
    ],
    install_requires=['setuptools'],
    extras_require={'test': ['pytest']},
    zip_safe=True,
    maintainer='Robotino RL maintainers',
    maintainer_email='maintainers@robotino-rl.org',
    description=(
        'Support for multi-process ROS 2 tests: private domain ids, node processes, waits.'
    ),
    license='Apache-2.0',
    entry_points={'console_scripts': []},
)
