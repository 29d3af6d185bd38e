"""The env services' quality of service, one profile for the server and its clients.

Requests sent faster than an env node serves them (a burst from a pipelining
client, N agents' steps at once) wait in a deep reliable queue and are all
answered: rclpy's default of 10 let a burst of 300 steps come back with 21
answers and no word about the rest. The answers wait the same way on the
client's side.
"""

from rclpy.qos import QoSProfile, ReliabilityPolicy

#: Requests (server side) or answers (client side) kept until taken.
SERVICE_QUEUE = 1000
SERVICE_QOS = QoSProfile(depth=SERVICE_QUEUE, reliability=ReliabilityPolicy.RELIABLE)
