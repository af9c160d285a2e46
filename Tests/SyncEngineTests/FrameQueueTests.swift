import SyncEngine
import Testing

@Suite("Frame queue")
struct FrameQueueTests {
    @Test("a bounded put never lets more than the limit wait, keeps order, and gives up once closed")
    func bounded() async {
        let queue = FrameQueue()
        let producer = Task {
            var most = 0
            for value in 0..<50 {
                #expect(await queue.put([UInt8(value)], waitingBelow: 3))
                most = max(most, await queue.count)
            }
            return most
        }
        var taken: [UInt8] = []
        while taken.count < 50, let frame = await queue.take() {
            taken += frame
            await Task.yield()
        }
        #expect(taken == Array(0..<50))
        #expect(await producer.value <= 3)

        await queue.put([1], waitingBelow: 1)
        let blocked = Task { await queue.put([2], waitingBelow: 1) }
        await queue.close()
        #expect(await blocked.value == false)
        #expect(await queue.take() == [1])
        #expect(await queue.take() == nil)
    }
}
