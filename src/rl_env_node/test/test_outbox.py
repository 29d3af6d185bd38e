"""The outbox an env group holds while it answers: held messages go out on release, in order."""

import time

from rclpy.executors import SingleThreadedExecutor
from std_msgs.msg import String

from rl_ros.outbox import Outbox
from rl_testing.ros import spin_until


def spin_for(node, seconds):
    executor = SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        executor.spin_once(timeout_sec=0.05)
    executor.remove_node(node)
    executor.shutdown()


def test_held_messages_go_out_in_order_on_release_and_later_ones_at_once(ros_node):
    publisher = ros_node.create_publisher(String, 'outbox_test', 10)
    heard = []
    ros_node.create_subscription(String, 'outbox_test', lambda m: heard.append(m.data), 10)
    spin_until(ros_node, lambda: publisher.get_subscription_count() == 1, 10.0, 'a match')
    outbox = Outbox()
    outbox.hold()
    for word in ('one', 'two', 'three'):
        outbox.publish(publisher, String(data=word))
    outbox.publish(publisher, String(data='four'))
    spin_for(ros_node, 0.5)
    assert heard == []
    outbox.release()
    spin_until(ros_node, lambda: len(heard) == 4, 10.0, 'the held messages')
    assert heard == ['one', 'two', 'three', 'four']
    outbox.publish(publisher, String(data='five'))
    spin_until(ros_node, lambda: len(heard) == 5, 10.0, 'the message after release')
