pytest_plugins = ['rl_testing.fixtures']
