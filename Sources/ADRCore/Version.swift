public let adrsiteVersion = "0.1.0"
