import json, sys, collections, subprocess
f = sys.argv[1]
out = subprocess.run(['jfr','print','--json','--stack-depth','64','--events','jdk.ExecutionSample,jdk.NativeMethodSample',f],capture_output=True,text=True).stdout
ev = json.loads(out)['recording']['events']
cat = collections.Counter(); top = collections.Counter(); incl = collections.Counter()
n=0
def name(fr):
    m=fr['method']; return m['type']['name']+'.'+m['name']
for e in ev:
    st = e['values'].get('stackTrace')
    if not st: continue
    frames=[name(fr) for fr in st['frames']]
    t = e['values'].get('sampledThread',{}).get('javaName','?')
    if e['type']=='jdk.NativeMethodSample': continue
    n+=1
    top[frames[0]]+=1
    seen=set()
    for fr in frames:
        if fr not in seen: incl[fr]+=1; seen.add(fr)
    c='other:'+t
    for fr in frames:
        if fr.startswith('io.ferrumdb.bench.ycsb'): c='binding:'+fr.split('.')[-2]+'.'+fr.split('.')[-1]; break
        if fr.startswith('io.ferrumdb') or fr.startswith('org.rocksdb'): c='engine'; 
        if c=='engine': 
            # find whether within open/init
            if any('init' in x and 'Ycsb' in x for x in frames) or any('.open' in x for x in frames): c='engine-open'
            break
        if fr.startswith('site.ycsb'): c='ycsb:'+fr.split('.')[-2]; break
        if fr.startswith('org.HdrHistogram') or fr.startswith('org.apache.htrace'): c='ycsb:measure/htrace'; break
    cat[c]+=1
print('samples',n)
for k,v in cat.most_common(25): print(f'{v:6d} {100*v/n:5.1f}% {k}')
print('--- top frames')
for k,v in top.most_common(25): print(f'{v:6d} {100*v/n:5.1f}% {k}')
print('--- inclusive')
for k,v in incl.most_common(400): print(f'{v:6d} {100*v/n:5.1f}% {k}')
