from glob import glob

from setuptools import find_packages, setup

PACKAGE = 'rl_bringup'

setup(
    name=PACKAGE,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + PACKAGE]),
        ('share/' + PACKAGE, ['package.xml']),
        ('share/' + PACKAGE + '/launch', glob('launch/*.launch.py')),
        ('share/' + PACKAGE + '/foxglove', glob('foxglove/*.json')),
    ],
    install_requires=['setuptools'],
    extras_require={'test': ['pytest']},
    zip_safe=True,
    maintainer='Robotino RL maintainers',
    maintainer_email='maintainers@robotino-rl.org',
    description='Launch files, configs, launcher and rosbag2 episode recorder for Robotino RL.',
    license='Apache-2.0',
    entry_points={'console_scripts': [
        'episode_recorder = rl_bringup.recorder_node:main',
    ]},
)
