from setuptools import find_packages, setup

PACKAGE = 'rl_env_node'

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
        'Env node: tasks, rewards, robot and simulator facades, served as ROS 2 services.'
    ),
    license='Apache-2.0',
    entry_points={'console_scripts': ['env_node = rl_env_node.env_node:main',
                                    'env_group = rl_env_node.env_group:main']},
)
