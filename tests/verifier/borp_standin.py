"""What the borp stand-ins of the tests share: borp's loop over its ``--reporter
NAME:DESTINATION`` options (borp 0.20 and 0.21), each reporter node's own or a module
loaded from the project, composed onto node's ``run()`` stream (``stream``)."""

REPORTERS = r"""for (const input of args.values.reporter) {
  const [name, dest] = input.split(':')
  let Ctor
  if (Object.hasOwn(Reporters, name)) {
    Ctor = Reporters[name]
  } else {
    try {
      Ctor = await import(resolve(join(process.cwd(), name))).then((m) => m.default || m)
    } catch {
      Ctor = await import(name).then((m) => m.default || m)
    }
  }
  const proto = Ctor.prototype && Object.getOwnPropertyDescriptor(Ctor.prototype, 'constructor')
  stream.compose(proto ? new Ctor() : Ctor).pipe(dest ? createWriteStream(dest) : process.stdout)
}
"""
