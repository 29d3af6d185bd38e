from setuptools import find_packages, setup

PACKAGE = 'rl_ros'

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
        'ROS 2 plumbing shared by every node: the contract, node main, parameters, '
        'conversions, QoS, the sim/ server.'
    ),
    license='Apache-2.0',
    entry_points={'console_scripts': []},
)
