from setuptools import find_packages, setup

PACKAGE = 'rl_env_client'

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
        'Clients of the env services for agents: a Gymnasium env and a stable-baselines3 VecEnv.'
    ),
    license='Apache-2.0',
    entry_points={'console_scripts': []},
)
