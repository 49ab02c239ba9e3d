import json, sys, collections, subprocess
# Client threads only: Java execution samples (10 ms period) and native samples (20 ms, weighted x2), by the
# nearest project frame. Native samples count a thread in native code whether or not it is on a CPU.
out = subprocess.run(['jfr','print','--json','--stack-depth','64','--events','jdk.ExecutionSample,jdk.NativeMethodSample',sys.argv[1]],capture_output=True,text=True).stdout
c=collections.Counter(); tot=0
for e in json.loads(out)['recording']['events']:
    t=e['values'].get('sampledThread',{}).get('javaName','?')
    if not t.startswith('Thread-'): continue
    w = 2 if e['type']=='jdk.NativeMethodSample' else 1
    fr=[x['method']['type']['name']+'.'+x['method']['name'] for x in e['values']['stackTrace']['frames']]
    k='ycsb client'
    if any('RocksDB.get' in x or 'RocksDB.put' in x for x in fr): k=('native ' if w==2 else 'java ')+'RocksDB get/put'
    elif any('RocksDbYcsb' in x for x in fr): k='binding'
    elif any('YcsbRecord' in x for x in fr): k='binding'
    elif any('RocksDbYcsb.init' in x or 'loadLibrary' in x or 'RocksDB.open' in x for x in fr): k='open'
    c[k]+=w; tot+=w
for k,v in c.most_common(): print(f'{v:6d} {100*v/tot:5.1f}% {k}')
