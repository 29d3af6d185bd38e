from setuptools import find_packages, setup

PACKAGE = 'rl_monitor'

setup(
    name=PACKAGE,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    package_data={PACKAGE: ['static/*.html', 'static/*.js', 'static/*.css']},
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + PACKAGE]),
        ('share/' + PACKAGE, ['package.xml']),
    ],
    install_requires=['setuptools'],
    extras_require={'test': ['pytest']},
    zip_safe=False,
    maintainer='Robotino RL maintainers',
    maintainer_email='maintainers@robotino-rl.org',
    description='Live web monitor of a Robotino RL training run.',
    license='Apache-2.0',
    entry_points={'console_scripts': [
        'monitor_node = rl_monitor.monitor_node:main',
    ]},
)
