(module $input
  (memory (export "memory") 1)
  (global $counter (mut i32) (i32.const 0))
  (func $bump (export "bump") (param $by i32) (result i32)
    global.get $counter
    local.get $by
    i32.add
    global.set $counter
    global.get $counter)
  (data (i32.const 16) "hello"))
