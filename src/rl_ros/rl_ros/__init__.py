"""The ROS 2 plumbing every node of the workspace shares, kept thin.

The contract (:mod:`rl_ros.contract`: every topic and service name and
type), the node main with clean shutdown (:mod:`rl_ros.node_main`),
parameter declaration from one table (:mod:`rl_ros.parameters`), the
robot-state message conversions (:mod:`rl_ros.conversions`), the QoS
profiles chosen on purpose (:mod:`rl_ros.qos`), the publisher of the real
driver's topics (:mod:`rl_ros.robot_publisher`), the one ``sim/``
service server every simulator plugs into (:mod:`rl_ros.sim_server`), the
frames of an env group's same-host batch socket (:mod:`rl_ros.batch_wire`)
and the outbox that holds a node's publications back while it answers
(:mod:`rl_ros.outbox`).
Nothing here imports a simulator or the learning library; import the
modules you need (this file imports none, so reading the contract needs
no rclpy).
"""
