from glob import glob

from setuptools import find_packages, setup

PACKAGE = 'rl_agent_node'

setup(
    name=PACKAGE,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + PACKAGE]),
        ('share/' + PACKAGE, ['package.xml']),
        ('share/' + PACKAGE + '/config', glob('config/*.yaml')),
    ],
    install_requires=['setuptools'],
    extras_require={'test': ['pytest']},
    zip_safe=True,
    maintainer='Robotino RL maintainers',
    maintainer_email='maintainers@robotino-rl.org',
    description=(
        'Agent node: stable-baselines3 training over ROS 2 env nodes, evaluation and deploy mode.'
    ),
    license='Apache-2.0',
    entry_points={'console_scripts': [
        'agent_node = rl_agent_node.agent_node:main',
        'rl_agent = rl_agent_node.cli:main',
    ]},
)
