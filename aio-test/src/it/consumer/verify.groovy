// Every test of the consumer ran (none skipped, none failed): a consumer whose tests were all skipped would pass too.
def reports = new File(basedir, 'target/surefire-reports').listFiles().findAll { it.name.endsWith('.xml') }
int tests = 0, skipped = 0, failed = 0
reports.each { f ->
    def head = f.text.find(/<testsuite [^>]*>/)
    def attr = { name -> (head =~ /\s${name}="(\d+)"/)[0][1] as int }
    tests += attr('tests')
    skipped += attr('skipped')
    failed += attr('failures') + attr('errors')
}
assert failed == 0 : "consumer: ${failed} test(s) failed"
assert skipped == 0 : "consumer: ${skipped} test(s) skipped"
assert tests == 6 : "consumer: expected 6 tests to run, ran ${tests}"
return true
