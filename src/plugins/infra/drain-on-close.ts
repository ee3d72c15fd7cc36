import fp from 'fastify-plugin'

/**
 * Graceful close: responses sent once closing has begun carry `Connection: close`, so a
 * keep-alive client lets go of its socket after its in-flight request, and closing ends with
 * the last request instead of waiting out the keep-alive timeout (72 s) on that socket.
 */
export default fp(async (app) => {
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onSend', async (_request, reply) => { if (closing) reply.header('connection', 'close') })
}, { name: 'drain-on-close' })
