from glob import glob

from setuptools import find_packages, setup

PACKAGE = 'robotino_webots'

setup(
    name=PACKAGE,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + PACKAGE]),
        ('share/' + PACKAGE, ['package.xml']),
        ('share/' + PACKAGE + '/launch', glob('launch/*.launch.py')),
        ('share/' + PACKAGE + '/urdf', glob('urdf/*.urdf')),
        ('share/' + PACKAGE + '/worlds', glob('worlds/*.wbt')),
    ],
    install_requires=['setuptools'],
    extras_require={'test': ['pytest']},
    zip_safe=True,
    maintainer='Robotino RL maintainers',
    maintainer_email='maintainers@robotino-rl.org',
    description='Webots world and webots_ros2_driver plugin for the Robotino 3.',
    license='Apache-2.0',
    entry_points={'console_scripts': []},
)
